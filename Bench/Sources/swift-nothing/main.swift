// The start-up baseline: a Swift executable that does nothing.

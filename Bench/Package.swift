// swift-tools-version:6.0
// Measurements that need cleave's libraries in-process (overlap checking in
// isolation) and a do-nothing Swift binary as the start-up baseline. Kept out
// of the main package so `make test` never builds it; `make bench` does.
import Foundation
import PackageDescription

// SwiftPM names a path dependency after its directory: whatever the checkout
// of cleave is called ("main", "cleave", a CI work directory).
let cleave = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent.lowercased()

let package = Package(
  name: "cleave-bench",
  dependencies: [.package(path: "..")],
  targets: [
    .executableTarget(
      name: "cleave-bench",
      dependencies: [.product(name: "Partitioning", package: cleave)]),
    .executableTarget(name: "swift-nothing"),
  ]
)

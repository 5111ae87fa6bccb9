// swift-tools-version:6.0
// libFuzzer targets for cleave, kept in their own package so the main build
// never links them: `make fuzz` builds them with -sanitize=fuzzer,address.
import PackageDescription

let package = Package(
  name: "cleave-fuzz",
  dependencies: [.package(path: "..")],
  targets: [
    .executableTarget(
      name: "FuzzDTB",
      dependencies: [.product(name: "Machine", package: "main")]),
    .executableTarget(
      name: "FuzzPlan",
      dependencies: [.product(name: "Partitioning", package: "main")]),
  ]
)

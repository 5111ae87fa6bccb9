// swift-tools-version:6.0
// libFuzzer targets for cleave, kept in their own package so the main build
// never links them: `make fuzz` builds them with -sanitize=fuzzer,address.
import Foundation
import PackageDescription

// SwiftPM names a path dependency after its directory: whatever the checkout
// of cleave is called ("main", "cleave", a CI work directory).
let cleave = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent.lowercased()

let package = Package(
  name: "cleave-fuzz",
  dependencies: [.package(path: "..")],
  targets: [
    .executableTarget(
      name: "FuzzDTB",
      dependencies: [
        .product(name: "Machine", package: cleave), .product(name: "Partitioning", package: cleave),
      ]),
    .executableTarget(
      name: "FuzzPlan",
      dependencies: [.product(name: "Partitioning", package: cleave)]),
  ]
)

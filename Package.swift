// swift-tools-version:6.0
import PackageDescription

let package = Package(
  name: "cleave",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "cleave", targets: ["cleave"]),
    .library(name: "DeviceTree", targets: ["DeviceTree"]),
    .library(name: "Machine", targets: ["Machine"]),
    .library(name: "Partitioning", targets: ["Partitioning"]),
    .library(name: "Emit", targets: ["Emit"]),
    .library(name: "Boot", targets: ["Boot"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
  ],
  targets: [
    // The distribution's libfdt; bookworm's libfdt-dev ships no .pc file, so no pkgConfig.
    .systemLibrary(name: "CLibFDT", path: "Sources/CLibFDT"),
    // The boot descriptor and channel layout, shared with the loader and kernels.
    .target(name: "CBootABI", path: "Sources/CBootABI", sources: ["shim.c"], publicHeadersPath: "include"),
    // SHA-256 on the host CPU's SHA instructions, for the build's digests.
    .target(name: "CSHA256", path: "Sources/CSHA256", publicHeadersPath: "include"),
    .target(name: "DeviceTree", dependencies: ["CLibFDT"]),
    .target(name: "Machine", dependencies: ["DeviceTree"]),
    .target(
      name: "Partitioning", dependencies: ["Machine", "CBootABI", .product(name: "Yams", package: "Yams")]),
    .target(name: "Emit", dependencies: ["Partitioning", "CBootABI", "CSHA256"]),
    .target(name: "Boot", dependencies: ["Emit"]),
    // Records the commit the tool is built from, for `cleave --version`.
    .plugin(name: "BuildInfo", capability: .buildTool(), path: "Plugins/BuildInfo"),
    .executableTarget(
      name: "cleave",
      dependencies: [
        "DeviceTree", "Machine", "Partitioning", "Emit", "Boot",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      plugins: ["BuildInfo"]),
    .testTarget(name: "DeviceTreeTests", dependencies: ["DeviceTree"], path: "Tests/DeviceTreeTests"),
    .testTarget(name: "MachineTests", dependencies: ["Machine"], path: "Tests/MachineTests"),
    .testTarget(
      name: "PartitioningTests", dependencies: ["Partitioning", .product(name: "Yams", package: "Yams")],
      path: "Tests/PartitioningTests"),
    .testTarget(name: "EmitTests", dependencies: ["Emit"], path: "Tests/EmitTests", exclude: ["Snapshots"]),
    .testTarget(name: "BootTests", dependencies: ["Boot"], path: "Tests/BootTests"),
    .testTarget(name: "EndToEndTests", dependencies: ["DeviceTree"], path: "Tests/EndToEndTests"),
  ]
)

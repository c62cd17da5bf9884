// swift-tools-version: 6.1
//
// PVCKit: a Swift re-implementation of Parallel Virtual Cluster (PVC).
// Copyright (C) 2026 the PVCKit authors. GPL-3.0-or-later.

import PackageDescription

let strict: [SwiftSetting] = [
  .enableUpcomingFeature("ExistentialAny"),
  .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
  name: "PVCKit",
  platforms: [.macOS(.v15)],
  products: [
    .library(name: "PVCKit", targets: ["PVCKit"]),
    .library(name: "PVCKitServer", targets: ["PVCKitServer"]),
    .library(name: "PVCKitAPI", targets: ["PVCKitAPI"]),
    .library(name: "PVCKitWeb", targets: ["PVCKitWeb"]),
    .executable(name: "pvc", targets: ["pvc"]),
    .executable(name: "pvcd", targets: ["pvcd"]),
    .executable(name: "pvcapi", targets: ["pvcapi"]),
    .executable(name: "pvcweb", targets: ["pvcweb"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
    .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.0"),
    .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
    .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.0"),
    .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.0"),
    .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.0"),
    .package(url: "https://github.com/hummingbird-project/swift-websocket", from: "1.6.0"),
    .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
    .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
  ],
  targets: [
    // C libraries from Debian, one system-library shim each.
    .systemLibrary(name: "CZooKeeper", path: "Sources/CZooKeeper"),
    .systemLibrary(name: "CLibvirt", path: "Sources/CLibvirt", pkgConfig: "libvirt"),
    .systemLibrary(name: "CCeph", path: "Sources/CCeph"),
    .systemLibrary(name: "CMariaDB", path: "Sources/CMariaDB", pkgConfig: "libmariadb"),
    .systemLibrary(name: "CXML2", path: "Sources/CXML2", pkgConfig: "libxml-2.0"),

    // The library: every operation as a typed async API.
    .target(
      name: "PVCKit",
      dependencies: [
        "CZooKeeper",
        "CLibvirt",
        "CXML2",
        "CCeph",
        "CMariaDB",
        .product(name: "Yams", package: "Yams"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "Subprocess", package: "swift-subprocess"),
        .product(name: "WSClient", package: "swift-websocket"),
        .product(name: "HTTPTypes", package: "swift-http-types"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
      ],
      swiftSettings: strict
    ),

    // Synthetic upstream-layout clusters for tests and benchmarks (not a product).
    .target(
      name: "PVCKitFixtures",
      dependencies: ["PVCKit"],
      swiftSettings: strict
    ),

    // What both servers use: the application builder (HTTPS), running in the
    // background, the request context, API keys, login limits, the token file.
    .target(
      name: "PVCKitServer",
      dependencies: [
        "PVCKit",
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "HummingbirdTLS", package: "hummingbird"),
        .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: strict
    ),

    // The HTTP API v1 (upstream-compatible) as a library: routes over PVCKit.
    .target(
      name: "PVCKitAPI",
      dependencies: [
        "PVCKit", "PVCKitServer",
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
        .product(name: "Prometheus", package: "swift-prometheus"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: strict
    ),

    // The web UI as a library: server-side HTML pages over PVCKit.
    .target(
      name: "PVCKitWeb",
      dependencies: [
        "PVCKit", "PVCKitServer",
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: strict
    ),

    // Fronts: thin layers over PVCKit.
    .executableTarget(
      name: "pvc",
      dependencies: [
        "PVCKit", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: strict
    ),
    .executableTarget(
      name: "pvcd",
      dependencies: [
        "PVCKit", "PVCKitAPI", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: strict
    ),
    .executableTarget(
      name: "pvcapi",
      dependencies: [
        "PVCKit", "PVCKitAPI", "PVCKitServer", .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      swiftSettings: strict
    ),
    .executableTarget(
      name: "pvcweb",
      dependencies: [
        "PVCKit", "PVCKitServer", "PVCKitWeb", .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      swiftSettings: strict
    ),

    // Benchmarks (`make bench`): PVCKit against baselines measured in the same run.
    .executableTarget(
      name: "pvc-bench",
      dependencies: [
        "PVCKit", "PVCKitFixtures", "PVCKitAPI", "PVCKitServer", "PVCKitWeb", "CZooKeeper",
        .product(name: "Hummingbird", package: "hummingbird"),
      ],
      path: "Benchmarks/pvc-bench",
      swiftSettings: strict
    ),
    .executableTarget(
      name: "zk-raw-baseline",
      path: "Benchmarks/zk-raw-baseline",
      linkerSettings: [.linkedLibrary("zookeeper_mt")]
    ),

    // Examples: Swift scripts that `import PVCKit`.
    .executableTarget(
      name: "cluster-status",
      dependencies: ["PVCKit"],
      path: "Examples/cluster-status",
      swiftSettings: strict
    ),
    .executableTarget(
      name: "vms-by-tag",
      dependencies: ["PVCKit"],
      path: "Examples/vms-by-tag",
      swiftSettings: strict
    ),
    .executableTarget(
      name: "evacuate-node",
      dependencies: ["PVCKit"],
      path: "Examples/evacuate-node",
      swiftSettings: strict
    ),
    .executableTarget(
      name: "follow-events",
      dependencies: ["PVCKit"],
      path: "Examples/follow-events",
      swiftSettings: strict
    ),

    .testTarget(
      name: "PVCKitTests",
      dependencies: [
        "PVCKit", "PVCKitFixtures", "PVCKitAPI", "PVCKitServer", "PVCKitWeb", "CZooKeeper", "CLibvirt", "CCeph",
        "CMariaDB",
        .product(name: "HummingbirdTesting", package: "hummingbird"),
        .product(name: "WSClient", package: "swift-websocket"),
        .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
        .product(name: "HTTPTypes", package: "swift-http-types"),
        .product(name: "PropertyBased", package: "swift-property-based"),
        .product(name: "Logging", package: "swift-log"),
      ],
      exclude: ["Fixtures"],
      swiftSettings: strict
    ),
  ],
  swiftLanguageModes: [.v6]
)

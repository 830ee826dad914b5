// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "streamz",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Streamz", targets: ["Streamz"]),
        .library(name: "StreamzKafka", targets: ["StreamzKafka"]),
        .library(name: "StreamzPostgres", targets: ["StreamzPostgres"]),
        .executable(name: "streamz", targets: ["streamz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"]), .brew(["librdkafka"])]
        ),
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"]), .brew(["libpq"])]
        ),
        // The operator graph, time and windows: no I/O, no C imports.
        .target(name: "Streamz"),
        .target(name: "StreamzKafka", dependencies: [
            "Streamz", "CRdKafka", .product(name: "Logging", package: "swift-log"),
        ]),
        // PostgreSQL, and the exactly-once window tables that checkpoint Kafka offsets.
        .target(name: "StreamzPostgres", dependencies: [
            "Streamz", "StreamzKafka", "CLibPQ", .product(name: "Logging", package: "swift-log"),
        ]),
        // The service: YAML pipelines, expressions over JSON, dead letters, metrics,
        // health endpoints and the run loop.
        .target(name: "StreamzService", dependencies: [
            "Streamz", "StreamzKafka", "StreamzPostgres",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Yams", package: "Yams"),
        ]),
        .executableTarget(
            name: "streamz",
            dependencies: [
                "Streamz", "StreamzKafka", "StreamzPostgres", "StreamzService",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "StreamzTests", dependencies: ["Streamz"]),
        .testTarget(name: "StreamzKafkaTests", dependencies: ["StreamzKafka", "CRdKafka"]),
        .testTarget(name: "StreamzPostgresTests", dependencies: ["StreamzPostgres", "StreamzKafka"]),
        .testTarget(name: "StreamzServiceTests", dependencies: [
            "StreamzService", "StreamzPostgres", "StreamzKafka", .target(name: "streamz"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)

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
        .executableTarget(
            name: "streamz",
            dependencies: [
                "Streamz", "StreamzKafka", "StreamzPostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "StreamzTests", dependencies: ["Streamz"]),
        .testTarget(name: "StreamzKafkaTests", dependencies: ["StreamzKafka", "CRdKafka"]),
        .testTarget(name: "StreamzPostgresTests", dependencies: ["StreamzPostgres", "StreamzKafka"]),
    ],
    swiftLanguageModes: [.v6]
)

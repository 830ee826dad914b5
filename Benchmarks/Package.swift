// swift-tools-version:6.0
import PackageDescription

// Release-mode throughput benchmarks for Streamz. Run with `make bench`, or:
//   cd Benchmarks && swift run -c release StreamzBenchmarks [--elements N] [--runs R] [--markdown PATH]
// The Kafka passthrough (Streamz against raw librdkafka C) runs from
// scripts/bench-passthrough.sh, which builds StreamzPassthrough and Benchmarks/c/passthrough.c.
// Kafka → window → PostgreSQL runs from scripts/bench-window-postgres.sh (StreamzWindowToPostgres).
let package = Package(
    name: "StreamzBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "streamz", path: ".."),
    ],
    targets: [
        .executableTarget(
            name: "StreamzBenchmarks",
            dependencies: [.product(name: "Streamz", package: "streamz"), "CMallocInfo"]
        ),
        // mallinfo2() for the window memory figure (malloc.h is not in the Glibc module).
        .systemLibrary(name: "CMallocInfo"),
        // KafkaSource → sinkToKafka, timed like Benchmarks/c/passthrough.c (see
        // scripts/bench-passthrough.sh).
        .executableTarget(
            name: "StreamzPassthrough",
            dependencies: [.product(name: "StreamzKafka", package: "streamz")]
        ),
        // Kafka → 1-minute tumbling window → PostgreSQL (MaterializedWindow) beside a
        // consume-only baseline, and aggregate upserts beside Benchmarks/c/pq_batch.c
        // (see scripts/bench-window-postgres.sh).
        .executableTarget(
            name: "StreamzWindowToPostgres",
            dependencies: [
                .product(name: "StreamzKafka", package: "streamz"),
                .product(name: "StreamzPostgres", package: "streamz"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)

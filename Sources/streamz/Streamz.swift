import ArgumentParser
import StreamzKafka
import StreamzPostgres

@main
struct StreamzCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "streamz",
        abstract: "Kafka-connected stream processing.",
        discussion: """
            The Kafka and PostgreSQL commands (run, validate, migrate, dev-broker, graph)
            are not built yet; `demo` runs the operator graph in-process.
            """,
        version: "0.1.0 (librdkafka \(RDKafkaLibrary.version), libpq \(PQLibrary.version))",
        subcommands: [DemoCommand.self])
}

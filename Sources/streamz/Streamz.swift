import ArgumentParser
import StreamzKafka
import StreamzPostgres

@main
struct StreamzCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "streamz",
        abstract: "Kafka-connected stream processing.",
        discussion: """
            `demo` runs the operator graph in-process; `dev-broker` runs an in-memory
            Kafka broker on 127.0.0.1 for development; `migrate` applies the service's
            PostgreSQL migrations. The Kafka and PostgreSQL commands (run, validate,
            graph) are not built yet.
            """,
        version: "0.1.0 (librdkafka \(RDKafkaLibrary.version), libpq \(PQLibrary.version))",
        subcommands: [DemoCommand.self, DevBrokerCommand.self, MigrateCommand.self])
}

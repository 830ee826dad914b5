import ArgumentParser
import StreamzKafka
import StreamzPostgres

@main
struct StreamzCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "streamz",
        abstract: "Kafka-connected stream processing.",
        discussion: """
            `run` runs the pipelines of a YAML config; `validate` checks one without
            connecting to anything; `graph` draws its operator graphs as Graphviz DOT;
            `migrate` applies the service's PostgreSQL migrations; `dev-broker` runs an
            in-memory Kafka broker on 127.0.0.1 for development; `demo` runs the main
            job on the embedded broker and a PostgreSQL database.
            """,
        version: "0.1.0 (librdkafka \(RDKafkaLibrary.version), libpq \(PQLibrary.version))",
        subcommands: [RunCommand.self, ValidateCommand.self, GraphCommand.self, MigrateCommand.self,
                      DevBrokerCommand.self, DemoCommand.self])
}

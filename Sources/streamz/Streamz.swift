import ArgumentParser

@main
struct StreamzCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "streamz",
        abstract: "Kafka-connected stream processing.",
        subcommands: [])
}

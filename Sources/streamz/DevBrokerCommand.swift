import ArgumentParser
import Dispatch
import Foundation
import StreamzKafka

/// A throwaway Kafka broker for development: librdkafka's mock cluster on loopback.
/// Scripts read the bootstrap address from the first stdout line, e.g.
/// `exec 3< <(streamz dev-broker --topic clicks:4); read -r BOOTSTRAP <&3`.
struct DevBrokerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev-broker",
        abstract: "Run an in-memory Kafka broker on 127.0.0.1 until interrupted.",
        discussion: """
            Starts librdkafka's mock cluster: a Kafka-protocol broker on loopback TCP \
            that any client (kcat, confluent-kafka, streamz) can use. Nothing is written \
            to disk; every topic and message is gone when it stops.

            Output: the first stdout line is the bootstrap address \
            (127.0.0.1:PORT[,127.0.0.1:PORT...]) alone on its line, so scripts can read it; \
            status goes to stderr. Stops cleanly, exit status 0, on SIGINT (Ctrl-C) or SIGTERM.

            Topics a client names before they exist are auto-created with 4 partitions. \
            Each partition keeps at most 5 MiB or 100,000 message sets.

            Example:
              streamz dev-broker --topic clicks:4 --topic enriched:4
              kcat -b 127.0.0.1:PORT -L
            """)

    @Option(help: "Number of brokers (ids 1...N).")
    var brokers = 1

    @Option(
        name: .customLong("topic"),
        help: ArgumentHelp(
            "A topic to create, as NAME:PARTITIONS (e.g. clicks:4). Repeat for more topics.",
            valueName: "name:partitions"),
        transform: TopicSpec.parse)
    var topics: [TopicSpec] = []

    func validate() throws {
        guard brokers >= 1 else { throw ValidationError("--brokers must be at least 1, got \(brokers)") }
        var seen = Set<String>()
        for topic in topics where !seen.insert(topic.name).inserted {
            throw ValidationError("--topic '\(topic.name)' is given more than once")
        }
    }

    func run() async throws {
        // Handle the signals before announcing the address, so a supervisor that
        // stops us right after reading it still gets a clean shutdown.
        let stop = SignalWaiter(signals: [SIGINT, SIGTERM])
        let broker = try EmbeddedKafka(brokers: brokers, topics: topics.map { ($0.name, $0.partitions) })

        // FileHandle writes go straight to the descriptor: nothing sits in a stdio
        // buffer while a script waits for the line on a pipe.
        FileHandle.standardOutput.write(Data((broker.bootstrapServers + "\n").utf8))
        let topicList = topics.isEmpty ? "no topics" : topics.map(\.description).joined(separator: ", ")
        printError(
            "streamz dev-broker: \(brokers) broker(s) on \(broker.bootstrapServers), \(topicList);"
                + " Ctrl-C or SIGTERM to stop.")

        let signal = await stop.next()
        broker.shutdown()
        printError("streamz dev-broker: stopped (\(signal == SIGINT ? "SIGINT" : "SIGTERM"))")
    }

    private func printError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

/// `--topic NAME:PARTITIONS`.
struct TopicSpec: CustomStringConvertible {
    let name: String
    let partitions: Int

    var description: String { "\(name):\(partitions)" }

    static func parse(_ argument: String) throws -> TopicSpec {
        guard let colon = argument.lastIndex(of: ":") else {
            throw ValidationError("expected NAME:PARTITIONS, e.g. clicks:4")
        }
        let name = String(argument[..<colon])
        let count = argument[argument.index(after: colon)...]
        // Kafka's own rule for topic names.
        let legal = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        guard !name.isEmpty, name.count <= 249, name != ".", name != "..", name.allSatisfy(legal.contains) else {
            throw ValidationError(
                "the topic name must be 1 to 249 characters of [a-zA-Z0-9._-]")
        }
        guard let partitions = Int(count), partitions >= 1, partitions <= 100_000 else {
            throw ValidationError(
                "PARTITIONS must be a whole number from 1 to 100000")
        }
        return TopicSpec(name: name, partitions: partitions)
    }
}

/// Waits for the first of some signals. The signals are ignored at the process level
/// (so their default action, termination, does not run) and observed through
/// dispatch sources instead.
final class SignalWaiter {
    private let sources: [any DispatchSourceSignal]
    private let received: AsyncStream<Int32>

    init(signals: [Int32]) {
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        received = stream
        sources = signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
    }

    /// The first signal received (or SIGTERM if the wait is cancelled).
    func next() async -> Int32 {
        for await number in received { return number }
        return SIGTERM
    }

    deinit {
        for source in sources { source.cancel() }
    }
}

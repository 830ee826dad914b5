import ArgumentParser
import Foundation
import Logging
import StreamzService

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run every pipeline of a config until SIGTERM or SIGINT.",
        discussion: """
            Checks the config first, as `streamz validate` does (exit status 2 on a \
            problem). Then, when a postgres section is set, applies pending migrations; \
            starts the embedded broker when kafka.bootstrap_servers is "embedded"; and \
            runs the pipelines, each as consumer group <group_id>.<pipeline name>. Run \
            more processes with the same config to share the partitions.

            SIGTERM or SIGINT stops fetching, drains what is in flight through the \
            sinks, commits (or writes the last checkpoint), leaves the groups and exits \
            0, within 10 s. A pipeline that fails for good (a sink that cannot deliver, \
            a fenced checkpoint) stops the process with status 1.

            HTTP (http.port, default 9464): /metrics (Prometheus), /healthz, /readyz.
            """)

    @Option(name: .customLong("config"), help: ArgumentHelp("The pipeline config (YAML).", valueName: "file"))
    var config: String

    @Option(name: .customLong("migrations"),
            help: ArgumentHelp("Migrations directory (default: as for `streamz migrate`).", valueName: "dir"))
    var migrationsDirectory: String?

    @Option(name: .customLong("http-host"), help: "The address the HTTP endpoints listen on.")
    var httpHost = "0.0.0.0"

    @Option(name: .customLong("progress"), help: "Print a progress line per pipeline every N seconds (0: never).")
    var progressSeconds = 0

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"

    func run() async throws {
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("--log-level: unknown level '\(logLevel)'")
        }
        let (loaded, plans) = try loadConfigOrExit(config)
        bootstrapLogging(level: level)
        var runner = ServiceRunner(config: loaded, plans: plans, migrations: nil)
        if loaded.postgres != nil {
            runner.migrations = try MigrateCommand.migrationsDirectory(
                explicit: migrationsDirectory, environment: ProcessInfo.processInfo.environment).0
        }
        runner.httpHost = httpHost
        if progressSeconds > 0 { runner.progressInterval = .seconds(progressSeconds) }
        do {
            try await runner.run()
        } catch {
            FileHandle.standardError.write(Data("streamz: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}

/// One line per event on stderr, with metadata (the pipeline's name among it).
func bootstrapLogging(level: Logger.Level) {
    LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = level
        return handler
    }
}

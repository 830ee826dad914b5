import ArgumentParser
import StreamzService

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a pipeline config without connecting to anything.",
        discussion: """
            Reads the YAML, interpolates ${NAME} and ${NAME:-default} from the \
            environment, checks every key, value and expression, and plans each \
            pipeline as `streamz run` would. Exit status 0 when valid; 2 with one line \
            naming the file, line and field when not.
            """)

    @Option(name: .customLong("config"), help: ArgumentHelp("The pipeline config (YAML).", valueName: "file"))
    var config: String

    func run() throws {
        let (loaded, plans) = try loadConfigOrExit(config)
        print("\(config): valid, \(plans.count) pipeline(s): "
              + plans.map { "\($0.name) (group \(loaded.kafka.groupID).\($0.name))" }.joined(separator: ", "))
    }
}

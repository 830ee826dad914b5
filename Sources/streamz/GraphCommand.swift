import ArgumentParser
import StreamzService

struct GraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Write each pipeline's operator graph as Graphviz DOT on stdout.",
        discussion: """
            The nodes `streamz run` builds for each pipeline, in the order records pass \
            them, with dashed edges to the dead letters. Connects to nothing.

            Example:
              streamz graph --config pipeline.yaml | dot -Tpng > pipelines.png
            """)

    @Option(name: .customLong("config"), help: ArgumentHelp("The pipeline config (YAML).", valueName: "file"))
    var config: String

    func run() throws {
        let (_, plans) = try loadConfigOrExit(config)
        print(PipelineGraph.dot(plans), terminator: "")
    }
}

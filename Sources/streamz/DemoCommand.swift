import ArgumentParser
import Foundation
import Streamz

/// The main job on embedded defaults. Until the Kafka and PostgreSQL stages exist,
/// the clickstream is generated in-process and the "topics" are operator branches.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Generate a clickstream and run the enrich and page-views pipelines on it.")

    @Option(help: "How many click events to generate.")
    var events = 1_000_000

    @Option(help: "Seed for the generator, so runs can be compared.")
    var seed: UInt64 = 42

    func validate() throws {
        guard events > 0 else { throw ValidationError("--events must be positive") }
    }

    func run() async throws {
        let clock = LoopClock(label: "streamz.demo")
        let clicks = ClickGenerator(count: events, seed: seed)
        let source = Streamz.Stream<Click>.from(clicks, clock: clock)
        let pipelines = try DemoPipelines(source: source)
        print("streamz demo: \(events) generated click events, in-process graph")
        print(pipelines.describe())

        let started = ContinuousClock.now
        let progress = ProgressReporter(clock: clock, pipelines: pipelines, started: started)
        progress.start()
        source.start()
        await source.finished.wait()
        let elapsed = ContinuousClock.now - started
        let report = await clock.perform {
            pipelines.flush()
            return pipelines.report(elapsed: elapsed)
        }
        progress.stop()
        print(report)
    }
}

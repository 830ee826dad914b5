import ServiceLifecycle

/// Prints one line per pipeline at an interval: records read and written, the read
/// rate, dead letters and lag. For `streamz demo` and for watching a run by hand.
struct ProgressService: Service {
    let pipelines: [PipelineRuntime]
    let interval: Duration

    func run() async throws {
        var last: [Int] = Array(repeating: 0, count: pipelines.count)
        let seconds = Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do { try await Task.sleep(for: interval) } catch { return }
            for (index, pipeline) in pipelines.enumerated() {
                let progress = await pipeline.loop.perform { pipeline.progress }
                let rate = Double(progress.read - last[index]) / seconds
                last[index] = progress.read
                print("[\(pipeline.plan.name)] read \(progress.read) (\(Int(rate))/s), written \(progress.written), dead letters \(progress.deadLetters), lag \(progress.lag)")
            }
        }
    }
}

import ServiceLifecycle

/// A pipeline as a swift-service-lifecycle `Service`: it runs until graceful
/// shutdown (SIGTERM) or its own fatal failure, then drains, commits and leaves its
/// group. A failure is thrown, so the group stops and the process exits non-zero
/// for its supervisor to restart it.
struct PipelineService: Service {
    let runtime: PipelineRuntime
    /// How long the drain may take; the whole shutdown must fit in 10 s.
    var drainTimeout: Duration = .seconds(7)

    func run() async throws {
        try await runtime.start()
        let failure: String? = await withGracefulShutdownHandler {
            for await failure in runtime.failures { return failure }
            return nil
        } onGracefulShutdown: {
            runtime.stopWatching()
        }
        await runtime.shutdown(timeout: drainTimeout)
        await BlockingCall.run { [runtime] in runtime.stopLoop() }
        if let failure { throw PipelineFailure(pipeline: runtime.plan.name, message: failure) }
    }
}

public struct PipelineFailure: Error, CustomStringConvertible {
    public var pipeline: String
    public var message: String
    public var description: String { "pipeline \(pipeline) failed: \(message)" }
}

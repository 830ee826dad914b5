/// What a companion service (the demo's driver) sees of the running pipelines.
public struct RunningService: Sendable {
    public struct PipelineStatus: Sendable {
        public var name: String
        public var read: Int
        public var written: Int
        public var deadLetters: Int
        public var lag: Int64
        public var inFlight: Int
        public var openWindows: Int
        public var failure: String?
    }

    /// Where the pipelines' Kafka is (the embedded broker's address, when embedded).
    public let bootstrapServers: String
    let pipelines: [PipelineRuntime]

    public func status() async -> [PipelineStatus] {
        var statuses: [PipelineStatus] = []
        for pipeline in pipelines {
            statuses.append(await pipeline.loop.perform {
                let progress = pipeline.progress
                return PipelineStatus(name: pipeline.plan.name, read: progress.read, written: progress.written,
                                      deadLetters: progress.deadLetters, lag: progress.lag,
                                      inFlight: pipeline.source.inFlightRecords,
                                      openWindows: pipeline.window?.openWindows ?? 0, failure: pipeline.failure)
            })
        }
        return statuses
    }
}

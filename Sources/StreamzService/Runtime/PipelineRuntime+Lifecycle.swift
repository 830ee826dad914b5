import Streamz
import StreamzKafka

extension PipelineRuntime {
    /// Creates the window table if missing, then starts consuming.
    func start() async throws {
        health.set(assignedComponent, ready: false, reason: "\(plan.name): waiting for a partition assignment")
        health.set(sinkComponent, ready: true, reason: nil)
        if let window { try await window.prepare() }
        source.start()
        await loop.perform { [self] in armPublishing() }
        logger.info("started: group \(source.configuration.groupID), topics \(source.configuration.topics.joined(separator: ","))")
    }

    /// Stops fetching, drains what is in flight through the sinks, writes the last
    /// checkpoint or commit, leaves the group and flushes the producers: what SIGTERM
    /// does. `timeout` bounds the drain; records still in flight then are left
    /// uncommitted, to be read again by the next owner.
    func shutdown(timeout: Duration) async {
        if let window {
            await window.shutdown(timeout: timeout)
        } else {
            await source.shutdown(timeout: timeout)
        }
        await loop.perform { [self] in
            publishTimer?.cancel()
            publish()
            outputSink?.close(timeout: .seconds(2))
            deadLetterSink?.close(timeout: .seconds(2))
        }
        client?.close()
        logger.info("stopped: \(source.consumed) records read, committed \(source.committed.count) partition(s)")
    }

    /// Stops the loop thread. Blocks until it has finished: call it off the pool.
    func stopLoop() {
        loop.shutdown()
    }

    private func armPublishing() {
        publishTimer = loop.schedule(after: .seconds(1)) { [weak self] in
            guard let self else { return }
            self.publish()
            self.armPublishing()
        }
    }

    /// Hands the loop's counts to the metrics (as deltas), with the gauges.
    func publish() {
        let recordsIn = source.consumed
        let recordsOut = outputSink?.delivered ?? window?.rowsWritten ?? 0
        let deadLetters = deadLetterSink?.delivered ?? counters.unrouted
        let late = counters.late
        metrics.add(recordsIn: recordsIn - published.recordsIn, recordsOut: recordsOut - published.recordsOut,
                    deadLetters: deadLetters - published.deadLetters, late: late - published.late)
        published = (recordsIn, recordsOut, deadLetters, late)
        metrics.setInFlight(source.inFlightRecords)
        updateSinkReadiness()
        if let latency = outputSink?.lastDeliveryLatency ?? window?.lastCheckpointDuration, latency != lastLatency {
            metrics.recordSinkLatency(latency)
            lastLatency = latency
        }
        metrics.setOpenWindows(window?.openWindows ?? 0)
        for (partition, lag) in source.currentLag() {
            metrics.setLag(topic: partition.topic, partition: partition.partition, lag: lag)
        }
        for (partition, offset) in source.committed where source.assignment.contains(partition) {
            metrics.setCommitted(topic: partition.topic, partition: partition.partition, offset: offset)
        }
    }

    /// Ready unless failed, or a write has waited past `stalledAfter`: PostgreSQL or
    /// the brokers are unreachable (the pipeline keeps retrying meanwhile).
    private func updateSinkReadiness(stalledAfter: Duration = .seconds(10)) {
        if let failure { return health.set(sinkComponent, ready: false, reason: failure) }
        if let started = window?.checkpointStarted, loop.now - started > stalledAfter {
            return health.set(sinkComponent, ready: false, reason: "PostgreSQL checkpoint waiting for \(loop.now - started)")
        }
        for sink in [outputSink?.oldestSampleAge, deadLetterSink?.oldestSampleAge] {
            if let age = sink, age > stalledAfter {
                return health.set(sinkComponent, ready: false, reason: "Kafka delivery waiting for \(age)")
            }
        }
        health.set(sinkComponent, ready: true, reason: nil)
    }

    /// For progress lines: records read, written and dead-lettered so far.
    var progress: (read: Int, written: Int, deadLetters: Int, lag: Int64) {
        let lag = source.currentLag().values.reduce(0, +)
        return (source.consumed, outputSink?.delivered ?? window?.rowsWritten ?? 0,
                deadLetterSink?.delivered ?? counters.unrouted, lag)
    }
}

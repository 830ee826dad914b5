import Streamz
import StreamzKafka

extension MaterializedWindow {
    func armCheckpointTimer() {
        timer = loop.schedule(after: options.checkpointInterval) { [weak self] in
            guard let self, !self.stopped else { return }
            self.requestCheckpoint()
            self.armCheckpointTimer()
        }
    }

    /// Starts a checkpoint after the current loop turn: a record being emitted now is
    /// not released yet, so its partition's done prefix has not caught up.
    func requestCheckpoint() {
        guard !checkpointQueued, !inFlight, !stopped else { return }
        checkpointQueued = true
        loop.execute { [weak self] in
            guard let self else { return }
            self.checkpointQueued = false
            self.checkpointNow()
        }
    }

    /// The barrier, the snapshot and the write. Runs on the loop.
    func checkpointNow() {
        guard !inFlight, failure == nil, hasChanges else { return }
        // Rejected records may still be on their way to the dead-letter topic: hold the
        // source and look again shortly, so the offsets stored never pass them.
        guard barrierHolds else {
            if holding == nil { holding = PendingAck() }
            checkpointQueued = true
            loop.schedule(after: .milliseconds(1)) { [weak self] in
                guard let self else { return }
                self.checkpointQueued = false
                self.checkpointNow()
            }
            return
        }
        if options.emit == .update {
            for index in slots.indices { for result in slots[index].state.flushUpdates() { collect(result) } }
            // Downstream, the updates just emitted must be acknowledged before the
            // state that includes them is stored.
            if emitted.held > 0 { return checkpointNow() }
        }
        // Rows only come from partitions that took records (or were restored), so every
        // row's partition has an offset to store with it.
        var partitions: [PartitionCheckpoint] = []
        for index in slots.indices where slots[index].changed {
            guard let next = slots[index].nextOffset else { continue }
            partitions.append(PartitionCheckpoint(
                partition: slots[index].partition, nextOffset: next, watermark: slots[index].watermark,
                baseEpoch: slots[index].epoch, state: WindowStateCoding.encode(slots[index].state.checkpoint())))
            slots[index].changed = false
        }
        guard !partitions.isEmpty else { return releaseHold() }
        let rows = pending.map { WindowRow(key: $0.key.key.columnValues, window: $0.key.window, partial: $0.value) }
        pending.removeAll(keepingCapacity: true)
        sequence += 1
        let checkpoint = Checkpoint(id: "\(instance):\(sequence)", rows: rows, partitions: partitions)
        inFlight = true
        releaseHold()
        let store = self.store
        let started = loop.now
        checkpointStarted = started
        loop.runAsync({ () -> Result<CheckpointOutcome, any Error> in
            do {
                return .success(try await store.client.retrying { try await store.write(checkpoint) })
            } catch {
                return .failure(error)
            }
        }, completion: { [weak self] outcome in
            guard let self else { return }
            self.lastCheckpointDuration = self.loop.now - started
            self.checkpointStarted = nil
            self.finished(checkpoint, outcome)
        })
    }

    /// Every partition's done prefix has reached the records the windows took.
    var barrierHolds: Bool {
        emitted.held == 0 && slots.allSatisfy { slot in
            guard slot.changed, let next = slot.nextOffset else { return true }
            return (source.doneOffset(of: slot.partition) ?? next) >= next
        }
    }

    func finished(_ checkpoint: Checkpoint, _ outcome: Result<CheckpointOutcome, any Error>) {
        inFlight = false
        switch outcome {
        case .failure(let error):
            fail(error)
        case .success:
            checkpoints += 1
            rowsWritten += checkpoint.rows.count
            var offsets: [TopicPartition: Int64] = [:]
            for partition in checkpoint.partitions {
                offsets[partition.partition] = partition.nextOffset
                if let index = slotIndex[partition.partition] { slots[index].epoch = partition.baseEpoch + 1 }
            }
            if !stopped {
                source.noteCheckpointed(offsets)
                source.commit(synchronously: false)
            }
        }
        releaseHold()
        if pending.count >= options.flushRows { requestCheckpoint() }
    }

    // MARK: Idle partitions

    func armIdleTimer() {
        guard let idle = options.closeOnIdle else { return }
        idleTimer = loop.schedule(after: idle / 4) { [weak self] in
            guard let self, !self.stopped else { return }
            self.closeIdlePartitions(after: idle)
            self.armIdleTimer()
        }
    }

    /// A quiet partition's watermark stands still, so its last windows would never
    /// close: after `idle` without records they close anyway. Only if the partition
    /// has nothing more to give, though: a pipeline held back (a sink or the brokers
    /// down, back pressure) also sees no records, and closing then would make the
    /// records still on their way late.
    func closeIdlePartitions(after idle: Duration) {
        let now = loop.now
        for index in slots.indices where now - slots[index].lastArrival >= idle && slots[index].state.openWindowCount > 0
            && source.isQuiet(slots[index].partition, takenThrough: slots[index].nextOffset ?? -1) {
            for result in slots[index].state.closeAll() { collect(result) }
            slots[index].changed = true
        }
        if pending.count >= options.flushRows { requestCheckpoint() }
    }

    // MARK: Stopping

    /// Stops the source, writes a last checkpoint, commits its offsets to Kafka and
    /// leaves the group. Open windows stay open in the checkpoint, for the next run.
    public func shutdown(timeout: Duration = .seconds(30)) async {
        await loop.perform { [self] in
            source.stop()
            checkpointAndWait(timeout: timeout)
            stopped = true
            timer?.cancel()
            idleTimer?.cancel()
        }
        await source.shutdown(timeout: timeout)
    }

    /// Closes every open window now and checkpoints them (the end of a bounded run).
    public func closeAllAndCheckpoint(timeout: Duration = .seconds(30)) async {
        await loop.perform { [self] in
            for index in slots.indices where slots[index].state.openWindowCount > 0 {
                for result in slots[index].state.closeAll() { collect(result) }
                slots[index].changed = true
            }
            checkpointAndWait(timeout: timeout)
        }
    }

    /// On the loop: checkpoints until nothing is left to write (a write in flight
    /// finishes first). Returns whether it got there in time.
    @discardableResult
    func checkpointAndWait(timeout: Duration) -> Bool {
        loop.runUntil(timeout: timeout) { [self] in
            if failure != nil { return true }
            if !inFlight && !checkpointQueued && !hasChanges { return true }
            if !inFlight && !checkpointQueued { checkpointNow() }
            return false
        } && failure == nil
    }

    /// Tests: stops as a killed process would. A write in flight may still land, as
    /// one would whose COMMIT had reached the server.
    func crash() async {
        await loop.perform { [self] in
            stopped = true
            timer?.cancel()
            idleTimer?.cancel()
        }
        await source.crash()
    }
}

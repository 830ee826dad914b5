import ArgumentParser
import Foundation
import StreamzService

/// Loads and checks a config as every config command does; on a problem prints it
/// (file, line, field) to stderr and exits with status 2, before connecting to
/// anything.
func loadConfigOrExit(_ path: String) throws -> (ServiceConfig, [PipelinePlan]) {
    do {
        return try CheckedConfig.load(path: path)
    } catch {
        FileHandle.standardError.write(Data("streamz: \(error)\n".utf8))
        throw ExitCode(2)
    }
}

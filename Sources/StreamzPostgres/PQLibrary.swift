import CLibPQ
import Logging

/// The libpq this process is linked against.
public enum PQLibrary {
    /// libpq's version as a number, e.g. 150018 for 15.18.
    public static var version: Int { Int(PQlibVersion()) }

    /// Whether libpq was built thread-safe (it must be: connections live on their own threads).
    public static var isThreadSafe: Bool { PQisthreadsafe() == 1 }

    /// Server NOTICEs, at debug level.
    static let notices = Logger(label: "streamz.postgres.notice")
}

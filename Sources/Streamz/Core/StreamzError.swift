/// Errors the library reports.
public enum StreamzError: Error, CustomStringConvertible, Equatable {
    case cannotOpenFile(path: String, errno: Int32)

    public var description: String {
        switch self {
        case .cannotOpenFile(let path, let code):
            return "cannot open \(path): error \(code)"
        }
    }
}

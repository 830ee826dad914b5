/// Splits expression text into tokens. Works on Unicode scalars, so string literals may
/// hold any text and columns count scalars, not bytes.
enum ExpressionLexer {
    static func tokenize(_ scalars: [Unicode.Scalar]) throws(ExpressionSyntaxError) -> [ExpressionToken] {
        var tokens: [ExpressionToken] = []
        var i = 0
        while true {
            while i < scalars.count, isWhitespace(scalars[i]) { i += 1 }
            guard i < scalars.count else { break }
            let start = i
            let kind: ExpressionToken.Kind
            switch scalars[i] {
            case "0"..."9":
                (kind, i) = try number(scalars, from: i)
            case "a"..."z", "A"..."Z", "_":
                while i < scalars.count, isIdentifierPart(scalars[i]) { i += 1 }
                kind = .identifier(text(scalars, start, i))
            case "'", "\"":
                (kind, i) = try string(scalars, from: i)
            default:
                (kind, i) = try symbol(scalars, from: i)
            }
            tokens.append(ExpressionToken(kind: kind, start: start, end: i))
        }
        // The end sits just after the last token, so "value &&  " reports the missing
        // operand right after '&&'.
        let end = tokens.last?.end ?? 0
        tokens.append(ExpressionToken(kind: .end, start: end, end: end))
        return tokens
    }

    static func text(_ scalars: [Unicode.Scalar], _ start: Int, _ end: Int) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[start..<end])
        return String(view)
    }

    private static func number(
        _ scalars: [Unicode.Scalar], from start: Int
    ) throws(ExpressionSyntaxError) -> (ExpressionToken.Kind, Int) {
        var i = start
        func digits() { while i < scalars.count, isDigit(scalars[i]) { i += 1 } }
        func digit(at j: Int) -> Bool { j < scalars.count && isDigit(scalars[j]) }
        digits()
        var isInteger = true
        // "1.5" is a number, but "1.x" leaves the dot to the parser (and its error).
        if i < scalars.count, scalars[i] == ".", digit(at: i + 1) {
            isInteger = false
            i += 1
            digits()
        }
        if i < scalars.count, scalars[i] == "e" || scalars[i] == "E" {
            let signed = i + 1 < scalars.count && (scalars[i + 1] == "+" || scalars[i + 1] == "-")
            if digit(at: signed ? i + 2 : i + 1) {
                isInteger = false
                i += signed ? 2 : 1
                digits()
            }
        }
        let literal = text(scalars, start, i)
        if isInteger, let value = Int64(literal) { return (.integer(value), i) }
        // Integers beyond Int64 become doubles, as in JSON records.
        guard let value = Double(literal), value.isFinite else {
            throw ExpressionSyntaxError(column: start + 1, message: "number \(literal) is out of range")
        }
        return (.number(value), i)
    }

    private static func string(
        _ scalars: [Unicode.Scalar], from start: Int
    ) throws(ExpressionSyntaxError) -> (ExpressionToken.Kind, Int) {
        let quote = scalars[start]
        var view = String.UnicodeScalarView()
        var i = start + 1
        while true {
            guard i < scalars.count else {
                throw ExpressionSyntaxError(column: start + 1, message: "unterminated string")
            }
            let scalar = scalars[i]
            if scalar == quote { return (.string(String(view)), i + 1) }
            if scalar == "\\" {
                guard i + 1 < scalars.count else {
                    throw ExpressionSyntaxError(column: start + 1, message: "unterminated string")
                }
                switch scalars[i + 1] {
                case "'": view.append("'")
                case "\"": view.append("\"")
                case "\\": view.append("\\")
                case "n": view.append("\n")
                case "t": view.append("\t")
                case "r": view.append("\r")
                default:
                    throw ExpressionSyntaxError(
                        column: i + 1, message: "unknown escape '\\\(describe(scalars[i + 1]))' in string")
                }
                i += 2
            } else {
                view.append(scalar)
                i += 1
            }
        }
    }

    private static func symbol(
        _ scalars: [Unicode.Scalar], from start: Int
    ) throws(ExpressionSyntaxError) -> (ExpressionToken.Kind, Int) {
        let first = scalars[start]
        if start + 1 < scalars.count {
            let pair = String(first) + String(scalars[start + 1])
            if let symbol = ExpressionSymbol(rawValue: pair) {
                return (.symbol(symbol), start + 2)
            }
        }
        if let symbol = ExpressionSymbol(rawValue: String(first)) { return (.symbol(symbol), start + 1) }
        let message: String
        switch first {
        case "=": message = "use '==' to compare"
        case "&": message = "expected '&&'"
        case "|": message = "expected '||'"
        default: message = "unexpected character '\(describe(first))'"
        }
        throw ExpressionSyntaxError(column: start + 1, message: message)
    }

    /// Printable scalars as themselves, others as U+XXXX so messages stay one clean line.
    static func describe(_ scalar: Unicode.Scalar) -> String {
        if scalar.value >= 0x21 && scalar.value != 0x7F && !scalar.properties.isWhitespace
            && scalar.properties.generalCategory != .control && scalar.properties.generalCategory != .format {
            return String(scalar)
        }
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    private static func isWhitespace(_ s: Unicode.Scalar) -> Bool {
        s == " " || s == "\t" || s == "\n" || s == "\r"
    }

    private static func isDigit(_ s: Unicode.Scalar) -> Bool { s.value >= 0x30 && s.value <= 0x39 }

    private static func isIdentifierPart(_ s: Unicode.Scalar) -> Bool {
        switch s {
        case "a"..."z", "A"..."Z", "0"..."9", "_": true
        default: false
        }
    }
}

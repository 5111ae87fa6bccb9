import ArgumentParser
import DeviceTree
import Foundation
import Machine

/// `--format` of every verb.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
  case text, json
}

/// Reads a board; unusable input becomes a one-line message and exit status 2.
func loadMachine(_ path: String, includes: [String]) throws -> Machine {
  do {
    return try Machine.load(path, includes: includes)
  } catch let e as DeviceTreeError {
    throw UnusableInput(message: e.description)
  }
}

/// Input the tool cannot use at all: printed as `cleave: error: …`, exit status 2.
struct UnusableInput: Error, CustomStringConvertible {
  var message: String
  var description: String { message }
}

func printJSON<T: Encodable>(_ value: T) throws {
  let encoder = JSONEncoder()
  encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
  let data = try encoder.encode(value)
  FileHandle.standardOutput.write(data)
  FileHandle.standardOutput.write(Data("\n".utf8))
}

/// The board reading's warnings as `inspect` shows them: a `warnings (N)` block,
/// one indented line each; nothing when the board read clean.
func printBoardWarnings(_ warnings: [String], toStandardError: Bool = false) {
  guard !warnings.isEmpty else { return }
  let text = (["warnings (\(warnings.count))"] + warnings.map { "  " + $0 }).joined(separator: "\n") + "\n"
  if toStandardError {
    FileHandle.standardError.write(Data(text.utf8))
  } else {
    print(text, terminator: "")
  }
}

/// Values left for the process's exit to reclaim rather than freed piece by
/// piece: a checked partition of thousands of kernels is hundreds of thousands
/// of allocations (30 ms at 16,384 cores), and the verbs that read one end soon
/// after they are done with it.
nonisolated(unsafe) private var keptUntilExit: [Any] = []

func keepUntilExit(_ value: Any) { keptUntilExit.append(value) }

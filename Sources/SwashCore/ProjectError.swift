import FileIO
import Foundation

/// Failures of `swash new`: the project's name, its destination, the templates.
public enum ProjectError: Error, Sendable, CustomStringConvertible, LocalizedError {
    /// The project name breaks a rule (`reason` says which).
    case invalidProjectName(String, reason: String)
    /// The project's directory (or a file of that name) already exists.
    case projectExists(path: String)
    /// The project could not be written (the error names where it failed).
    case projectWriteFailed(FileSystemError)
    /// `--swash-path`: the directory holds no Package.swift.
    case swashCheckoutNotFound(path: String)
    /// A template shipped inside swash cannot be rendered (a bug in swash: the embedded copy is broken).
    case templateInvalid(template: String, file: String, reason: String)

    public var description: String {
        switch self {
        case .invalidProjectName(let name, let reason):
            return "\"\(name)\" cannot name a project: \(reason); choose another name (letters, digits, '-' and '_', starting with a letter)"
        case .projectExists(let path):
            return "\"\(path)\" already exists; choose another name or --path, or remove it first (swash new never overwrites)"
        case .projectWriteFailed(let error):
            return "cannot create the project at \"\(error.path)\": \(error.reason)"
        case .swashCheckoutNotFound(let path):
            return "--swash-path \"\(path)\" holds no Package.swift; give the directory of a swash checkout"
        case .templateInvalid(let template, let file, let reason):
            return "the \(template) template's \(file) cannot be rendered: \(reason); this is a bug in swash (run Scripts/embed-templates and rebuild)"
        }
    }

    public var errorDescription: String? { description }
}

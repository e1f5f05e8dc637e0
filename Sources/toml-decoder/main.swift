// toml-decoder: the toml-test decoder interface. TOML on stdin → tagged JSON on stdout, exit 0;
// invalid TOML → the error (position and snippet) on stderr, exit 1.
import Foundation
import TOMLLite

let input = FileHandle.standardInput.readDataToEndOfFile()
do throws(TOMLError) {
    let document = try TOMLTable(parsing: input)
    var json = document.taggedJSON()
    json.append(0x0A)
    FileHandle.standardOutput.write(Data(json))
    exit(0)
} catch {
    FileHandle.standardError.write(Data(("toml-decoder: " + error.description + "\n").utf8))
    exit(1)
}

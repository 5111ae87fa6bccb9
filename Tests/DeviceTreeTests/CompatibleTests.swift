import Testing

@testable import DeviceTree

/// `isCompatible` reads the raw bytes; it must answer as the decoded list does.
struct CompatibleTests {
  @Test(arguments: try boardFiles())
  func bytesAnswerAsTheDecodedList(board: String) throws {
    let tree = try DeviceTree.load(board)
    for id in tree.descendants() {
      let list = tree.compatible(id)
      for name in list + ["", "arm", "no,such-device"] {
        #expect(tree.isCompatible(id, with: name) == list.contains(name), "\(tree.path(of: id)) \(name)")
      }
    }
  }

  @Test func malformedListsAreNoList() {
    var tree = DeviceTree()
    func node(_ bytes: [UInt8]) -> NodeID {
      tree.addNode("n", under: tree.root, properties: [Property(name: "compatible", value: bytes)])
    }
    let good = node(Array("a,b\0c,d\0".utf8))
    let unterminated = node(Array("a,b\0c,d".utf8))
    let notUTF8 = node(Array("a,b\0".utf8) + [0xff, 0])
    let empty = node([])
    #expect(tree.isCompatible(good, with: "c,d"))
    #expect(tree.isCompatible(good, with: "x", "a,b"))
    #expect(!tree.isCompatible(good, with: "a"))
    #expect(!tree.isCompatible(unterminated, with: "a,b"))
    #expect(!tree.isCompatible(notUTF8, with: "a,b"))
    #expect(!tree.isCompatible(empty, with: ""))
  }
}

import Testing

@testable import DeviceTree

/// A selection must be the tree that deleting everything else would leave.
struct NodeSelectorTests {
  @Test(arguments: try boardFiles())
  func selectingEqualsDeletingTheRest(board: String) throws {
    let source = try DeviceTree.load(board)
    let selector = NodeSelector(source)
    let all = source.descendants()
    for stride in [2, 3, 7] {
      let picked = all.enumerated().filter { $0.offset % stride == 1 }.map(\.element)
      // What the selection should keep: the picked nodes and their ancestors.
      var keep = Set<NodeID>()
      for id in picked {
        var n: NodeID? = id
        while let c = n, keep.insert(c).inserted { n = source.parent(of: c) }
      }
      keep.insert(source.root)
      var expected = source
      expected.removeNodes(all.filter { !keep.contains($0) })
      let selection = selector.select(picked)
      #expect(selection.tree.source() == expected.source(), "\(board) every \(stride)th node")
      #expect(selection.origin.count == keep.count)
      for v in source.phandles {
        #expect(
          selection.tree.node(phandle: v).map { selection.origin[$0.index] }
            == expected.node(phandle: v).flatMap { expected.isAttached($0) ? $0 : nil })
      }
      for id in all {
        for l in source[id].labels {
          #expect(selection.tree.node(label: l).map { selection.origin[$0.index] } == expected.node(label: l))
        }
      }
    }
  }

  @Test func keepsSourceOrderWhateverTheOrderAsked() throws {
    let t = try tree(
      """
      /dts-v1/;
      / { a { x { }; y { }; }; b { }; c { z { }; }; };
      """)
    let selector = NodeSelector(t)
    let ids = ["/c/z", "/b", "/a/y", "/a/x"].compactMap { t.node(path: $0) }
    let s = selector.select(ids)
    #expect(
      s.tree.descendants().map { s.tree.path(of: $0) } == ["/", "/a", "/a/x", "/a/y", "/b", "/c", "/c/z"])
    #expect(
      s.tree.descendants().map { t.path(of: s.origin[$0.index]) } == [
        "/", "/a", "/a/x", "/a/y", "/b", "/c", "/c/z",
      ])
    #expect(selector.select([]).tree.descendants() == [s.tree.root])
  }
}

"""Sections added to the table of contents, in their chapter."""

from d2lvi.project.toc import add_section

OLD = {"format": "jb-book", "root": "index",
       "chapters": [{"file": "chapter_cnn/transposed-conv"}, {"file": "glossary"}]}


def files(part: dict) -> list[str]:
    """The top-level files of a part."""
    return [c["file"] for c in part["chapters"]]


def test_a_flat_toc_gets_a_numbered_content_part_and_an_appendix():
    toc = add_section(OLD, "chapter_cnn/pooling")
    content, appendix = toc["parts"]
    assert content["numbered"] is True and "numbered" not in appendix
    assert files(content) == ["chapter_cnn/transposed-conv", "chapter_cnn/pooling"]
    assert files(appendix) == ["glossary"]


def test_a_chapter_index_becomes_the_root_of_its_folders_sections():
    toc = add_section(add_section(OLD, "chapter_cnn/pooling"), "chapter_cnn/index")
    [root] = toc["parts"][0]["chapters"]
    assert root["file"] == "chapter_cnn/index"
    assert [s["file"] for s in root["sections"]] == ["chapter_cnn/transposed-conv",
                                                      "chapter_cnn/pooling"]


def test_later_sections_go_under_their_chapters_root():
    toc = add_section(add_section(OLD, "chapter_cnn/index"), "chapter_cnn/lenet")
    assert toc["parts"][0]["chapters"][0]["sections"][-1] == {"file": "chapter_cnn/lenet"}


def test_another_folder_is_another_chapter_and_adding_twice_changes_nothing():
    toc = add_section(add_section(OLD, "chapter_cnn/index"), "chapter_calculus/calculus")
    assert files(toc["parts"][0]) == ["chapter_cnn/index", "chapter_calculus/calculus"]
    assert add_section(toc, "chapter_calculus/calculus") == toc
    assert add_section(toc, "chapter_cnn/transposed-conv") == toc


def test_the_given_toc_is_not_modified():
    before = repr(OLD)
    add_section(OLD, "chapter_cnn/index")
    assert repr(OLD) == before

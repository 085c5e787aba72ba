"""Reading the corpus: seed text files and JSONL records become papers (de-duplicated,
normalised text, a readable name each), and abstracts become passages of whole sentences
with exact character offsets. Also the text tools every later stage shares: sentences,
names, and LaTeX shown readably."""

"""Evaluation: retrieval and answer quality on BEIR-format datasets (``rag eval``): every
retriever side by side, answer backends side by side, per question type, against the
labelled questions in ``evals/data`` (dev half to tune on, test half to report) and a CI gate."""

from .dataset import Dataset, EvalQuery, load_dataset
from .metrics import mrr_at_k, ndcg_at_k, percentile, recall_at_k
from .runner import evaluate

__all__ = ["Dataset", "EvalQuery", "load_dataset", "evaluate", "recall_at_k", "mrr_at_k",
           "ndcg_at_k", "percentile"]

"""The knowledge base: loading and validating `deprecations/`, and looking things up in it."""

from upgradecheck.knowledge.loader import KnowledgeError, load_knowledge_base
from upgradecheck.knowledge.model import KnowledgeBase

__all__ = ["KnowledgeBase", "KnowledgeError", "load_knowledge_base"]

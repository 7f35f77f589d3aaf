"""Jieba tokenizer without whitespace tokens, and without punctuation/emoji next to real words."""

from __future__ import annotations

import unicodedata
from typing import List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.training_data.message import Message

# Unicode categories that carry no words: punctuation (P*), symbols and emoji (S*), and the
# marks and format characters emoji are built with (variation selector U+FE0F, ZWJ U+200D).
SYMBOLIC_CATEGORIES = ("P", "S", "Mn", "Cf")


def is_blank(word: Text) -> bool:
    """True when a token holds only whitespace (str.strip also removes the ideographic space U+3000)."""
    return not word.strip()


def is_symbolic(word: Text) -> bool:
    """True when a token is only punctuation, symbols or emoji (e.g. "……", "？", "😊")."""
    return all(unicodedata.category(char).startswith(SYMBOLIC_CATEGORIES) for char in word)


def fold_width(word: Text) -> Text:
    """Fold full-width letters and digits (ＷＩＦＩ, １３８) to their ASCII forms."""
    return unicodedata.normalize("NFKC", word)


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True
)
class CleanJiebaTokenizer(JiebaTokenizer):
    """JiebaTokenizer without whitespace tokens, without symbol tokens beside words, width-folded.

    Jieba returns " " as a token of its own between Latin and Chinese words ("我的 wifi 密码");
    such tokens carry no meaning but shift every n-gram. Punctuation and emoji are dropped when
    the message also has words: a trailing "……" or "😊" must not outweigh what was said (the
    out-of-scope examples include bare "……" and "😊"). A message of emoji alone ("👍") keeps
    them, since they are all it says. Token offsets still point into the original text.
    """

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        """Tokenize with Jieba, then drop blank (and, beside words, symbolic) tokens."""
        tokens = [token for token in super().tokenize(message, attribute) if not is_blank(token.text)]
        worded = [token for token in tokens if not is_symbolic(token.text)]
        kept = worded or tokens
        return [Token(fold_width(token.text), token.start, token.end, data=token.data) for token in kept]

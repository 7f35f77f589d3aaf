"""Jieba tokenizer that drops the whitespace tokens Jieba emits on mixed Chinese/English text."""

from __future__ import annotations

import unicodedata
from typing import List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.training_data.message import Message


def is_blank(word: Text) -> bool:
    """True when a token holds only whitespace (str.strip also removes the ideographic space U+3000)."""
    return not word.strip()


def fold_width(word: Text) -> Text:
    """Fold full-width letters and digits (ＷＩＦＩ, １３８) to their ASCII forms."""
    return unicodedata.normalize("NFKC", word)


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True
)
class CleanJiebaTokenizer(JiebaTokenizer):
    """JiebaTokenizer without whitespace tokens and with width-folded token text.

    Jieba returns " " as a token of its own between Latin and Chinese words ("我的 wifi 密码");
    such tokens carry no meaning but shift every n-gram and every entity boundary. Token
    offsets still point into the original text, so entity spans stay correct.
    """

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        """Tokenize with Jieba, then drop blank tokens and fold full-width characters."""
        tokens = super().tokenize(message, attribute)
        return [
            Token(fold_width(token.text), token.start, token.end, data=token.data)
            for token in tokens
            if not is_blank(token.text)
        ]

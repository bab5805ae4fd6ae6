#include "engine/core/terminaltext.h"

#include <QList>

namespace finscope {

bool TerminalText::needsEscape(char32_t c)
{
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x061c || c == 0x200e || c == 0x200f
           || (c >= 0x2028 && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

QString TerminalText::escaped(QStringView text, Newlines newlines)
{
    if (isSafe(text, newlines))
        return text.toString();
    QString out;
    out.reserve(text.size() + 16);
    // By code point: a lone surrogate reads as U+FFFD, which is harmless.
    for (const char32_t c : text.toUcs4()) {
        if (c == u'\n' && newlines == KeepNewlines)
            out += u'\n';
        else if (c == u'\n')
            out += QLatin1StringView("\\n");
        else if (c == u'\r')
            out += QLatin1StringView("\\r");
        else if (c == u'\t')
            out += QLatin1StringView("\\t");
        else if (c < 0x100 && needsEscape(c))
            out += QStringLiteral("\\x%1").arg(uint(c), 2, 16, QChar(u'0'));
        else if (needsEscape(c))
            out += QStringLiteral("\\u%1").arg(uint(c), 4, 16, QChar(u'0'));
        else
            out += QString::fromUcs4(&c, 1);
    }
    return out;
}

bool TerminalText::isSafe(QStringView text, Newlines newlines)
{
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar ch = text.at(i);
        if (ch == u'\n' ? newlines == EscapeNewlines : needsEscape(ch.unicode()))
            return false;
        if (ch.isHighSurrogate() && i + 1 < text.size() && text.at(i + 1).isLowSurrogate())
            ++i; // none of the characters escaped lies beyond U+FFFF
        else if (ch.isSurrogate())
            return false; // a lone surrogate: escaped() reads it as U+FFFD
    }
    return true;
}

} // namespace finscope

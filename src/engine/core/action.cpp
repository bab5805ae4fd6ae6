#include "engine/core/action.h"

#include <array>
#include <limits>

namespace finscope {

namespace {

struct Word
{
    const char *name;
    Action::Kind kind;
    bool takesArgument;
};

constexpr std::array<Word, 19> words{{
    {"send", Action::Kind::Send, true},
    {"send-hex", Action::Kind::SendHex, true},
    {"send-file", Action::Kind::SendFile, true},
    {"send-pattern", Action::Kind::SendPattern, true},
    {"shutdown", Action::Kind::Shutdown, true},
    {"close", Action::Kind::Close, false},
    {"abort", Action::Kind::Abort, false},
    {"read", Action::Kind::Read, false},
    {"read-until-eof", Action::Kind::ReadUntilEof, false},
    {"pause-reading", Action::Kind::PauseReading, false},
    {"resume-reading", Action::Kind::ResumeReading, false},
    {"echo", Action::Kind::Echo, false},
    {"echo-upper", Action::Kind::EchoUpper, false},
    {"discard", Action::Kind::Discard, false},
    {"wait", Action::Kind::Wait, true},
    {"expect-eof", Action::Kind::ExpectEof, false},
    {"expect-rst", Action::Kind::ExpectRst, false},
    {"dup", Action::Kind::Dup, false},
    {"close-dup", Action::Kind::CloseDup, false},
}};

const Word *findWord(Action::Kind kind)
{
    for (const Word &w : words) {
        if (w.kind == kind)
            return &w;
    }
    return nullptr;
}

int hexValue(QChar c)
{
    if (c >= u'0' && c <= u'9')
        return c.unicode() - '0';
    if (c >= u'a' && c <= u'f')
        return c.unicode() - 'a' + 10;
    if (c >= u'A' && c <= u'F')
        return c.unicode() - 'A' + 10;
    return -1;
}

std::optional<QByteArray> parseHex(QStringView text, qsizetype column, QString *error)
{
    QByteArray out;
    int high = -1;
    qsizetype highColumn = 0;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (c.isSpace()) {
            if (high >= 0) {
                *error = QStringLiteral("odd hex digit at column %1: bytes need two digits")
                             .arg(column + highColumn);
                return std::nullopt;
            }
            continue;
        }
        const int v = hexValue(c);
        if (v < 0) {
            *error = QStringLiteral("bad hex digit '%1' at column %2").arg(c).arg(column + i);
            return std::nullopt;
        }
        if (high < 0) {
            high = v;
            highColumn = i;
        } else {
            out.append(char(high * 16 + v));
            high = -1;
        }
    }
    if (high >= 0) {
        *error = QStringLiteral("odd hex digit at column %1: bytes need two digits")
                     .arg(column + highColumn);
        return std::nullopt;
    }
    return out;
}

} // namespace

std::optional<QByteArray> unescapeAt(QStringView text, qsizetype offset, QString *error);

std::optional<qint64> parseSize(QStringView text)
{
    if (text.isEmpty())
        return std::nullopt;
    qint64 multiplier = 1;
    const QChar last = text.back().toUpper();
    if (last == u'K' || last == u'M' || last == u'G') {
        multiplier = last == u'K' ? 1024 : last == u'M' ? 1024 * 1024 : 1024 * 1024 * 1024;
        text.chop(1);
    }
    if (text.isEmpty())
        return std::nullopt;
    qint64 value = 0;
    for (const QChar c : text) {
        if (c < u'0' || c > u'9')
            return std::nullopt;
        if (value > (std::numeric_limits<qint64>::max() - 9) / 10)
            return std::nullopt;
        value = value * 10 + (c.unicode() - '0');
    }
    if (value > std::numeric_limits<qint64>::max() / multiplier)
        return std::nullopt;
    return value * multiplier;
}

std::optional<QByteArray> unescapeText(QStringView text, QString *error)
{
    return unescapeAt(text, 0, error);
}

// Columns in errors are 1-based positions in the whole action: offset is where text starts.
std::optional<QByteArray> unescapeAt(QStringView text, qsizetype offset, QString *error)
{
    QByteArray out;
    // Columns count characters of the text, so walk the QString and encode as we go.
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (c != u'\\') {
            qsizetype end = i + 1;
            if (c.isHighSurrogate() && end < text.size())
                ++end;
            out += text.mid(i, end - i).toUtf8();
            i = end - 1;
            continue;
        }
        if (i + 1 >= text.size()) {
            *error = QStringLiteral("lone backslash at column %1").arg(offset + i + 1);
            return std::nullopt;
        }
        const QChar e = text.at(i + 1);
        switch (e.unicode()) {
        case 'n':
            out += '\n';
            break;
        case 'r':
            out += '\r';
            break;
        case 't':
            out += '\t';
            break;
        case '\\':
            out += '\\';
            break;
        case 'x': {
            const int h = i + 2 < text.size() ? hexValue(text.at(i + 2)) : -1;
            const int l = i + 3 < text.size() ? hexValue(text.at(i + 3)) : -1;
            if (h < 0 || l < 0) {
                *error
                    = QStringLiteral("'\\x' at column %1 needs two hex digits").arg(offset + i + 1);
                return std::nullopt;
            }
            out += char(h * 16 + l);
            i += 2;
            break;
        }
        default:
            *error
                = QStringLiteral("unknown escape '\\%1' at column %2").arg(e).arg(offset + i + 1);
            return std::nullopt;
        }
        ++i;
    }
    return out;
}

QString escapeBytes(QByteArrayView bytes)
{
    QString out;
    out.reserve(bytes.size());
    static const char hex[] = "0123456789abcdef";
    for (const char ch : bytes) {
        const auto c = uchar(ch);
        if (c == '\n')
            out += QLatin1StringView("\\n");
        else if (c == '\r')
            out += QLatin1StringView("\\r");
        else if (c == '\t')
            out += QLatin1StringView("\\t");
        else if (c == '\\')
            out += QLatin1StringView("\\\\");
        else if (c >= 0x20 && c < 0x7f)
            out += QChar(c);
        else
            out += QLatin1StringView("\\x") + QChar(hex[c >> 4]) + QChar(hex[c & 15]);
    }
    return out;
}

QString Action::toString() const
{
    const Word *word = findWord(kind);
    const QString name = QString::fromLatin1(word ? word->name : "?");
    switch (kind) {
    case Kind::Send:
        return name + u' ' + escapeBytes(data);
    case Kind::SendHex:
        return name + u' ' + QString::fromLatin1(data.toHex());
    case Kind::SendFile:
        return name + u' ' + path;
    case Kind::SendPattern:
    case Kind::Wait:
        return name + u' ' + QString::number(count);
    case Kind::Shutdown:
        return name + u' ' + howName(how);
    default:
        return name;
    }
}

std::optional<Action> Action::parse(const QString &text, QString *error)
{
    QString scratch;
    QString &err = error ? *error : scratch;
    qsizetype start = 0;
    while (start < text.size() && text.at(start).isSpace())
        ++start;
    if (start == text.size()) {
        err = QStringLiteral("empty action");
        return std::nullopt;
    }
    qsizetype end = start;
    while (end < text.size() && !text.at(end).isSpace())
        ++end;
    const QString name = text.mid(start, end - start);
    const Word *word = nullptr;
    for (const Word &w : words) {
        if (name == QLatin1StringView(w.name))
            word = &w;
    }
    if (!word) {
        err = QStringLiteral("unknown action '%1' at column %2").arg(name).arg(start + 1);
        return std::nullopt;
    }
    // For send the text is everything after the one space that follows the word, spaces kept.
    const qsizetype argStart = end < text.size() ? end + 1 : end;
    const QString rawArgument = text.mid(argStart);
    const QString argument = rawArgument.trimmed();
    qsizetype argPos = end;
    while (argPos < text.size() && text.at(argPos).isSpace())
        ++argPos;
    const qsizetype argColumn = argPos + 1;
    Action action;
    action.kind = word->kind;
    if (!word->takesArgument) {
        if (!argument.isEmpty()) {
            err = QStringLiteral("'%1' takes no argument, but '%2' follows at column %3")
                      .arg(name, argument)
                      .arg(argColumn);
            return std::nullopt;
        }
        return action;
    }
    if (argument.isEmpty() && !(word->kind == Kind::Send && !rawArgument.isEmpty())) {
        err = QStringLiteral("'%1' needs an argument at column %2").arg(name).arg(end + 1);
        return std::nullopt;
    }
    switch (word->kind) {
    case Kind::Send: {
        const auto bytes = unescapeAt(rawArgument, argStart, &err);
        if (!bytes)
            return std::nullopt;
        action.data = *bytes;
        break;
    }
    case Kind::SendHex: {
        const auto bytes = parseHex(argument, argColumn, &err);
        if (!bytes)
            return std::nullopt;
        action.data = *bytes;
        break;
    }
    case Kind::SendFile:
        action.path = argument;
        break;
    case Kind::SendPattern: {
        const auto size = parseSize(argument);
        if (!size || *size <= 0) {
            err = QStringLiteral("bad size '%1' at column %2: expected a number above 0 with "
                                 "optional K, M or G")
                      .arg(argument)
                      .arg(argColumn);
            return std::nullopt;
        }
        if (*size > MaxPatternBytes) {
            err = QStringLiteral("size '%1' at column %2 is more than 8P (2^53 bytes), the most a "
                                 "session file records")
                      .arg(argument)
                      .arg(argColumn);
            return std::nullopt;
        }
        action.count = *size;
        break;
    }
    case Kind::Wait: {
        bool ok = false;
        const qint64 ms = argument.toLongLong(&ok);
        if (!ok || ms < 0 || argument.startsWith(u'+')) {
            err = QStringLiteral("bad wait '%1' at column %2: expected milliseconds (0 or more)")
                      .arg(argument)
                      .arg(argColumn);
            return std::nullopt;
        }
        if (ms > MaxWaitMs) {
            err = QStringLiteral("wait '%1' at column %2 is more than %3 ms (104 days), the most a "
                                 "session file records")
                      .arg(argument)
                      .arg(argColumn)
                      .arg(MaxWaitMs);
            return std::nullopt;
        }
        action.count = ms;
        break;
    }
    case Kind::Shutdown: {
        const auto how = howFromName(argument);
        if (!how) {
            err = QStringLiteral("shutdown needs wr, rd or rdwr at column %1, not '%2'")
                      .arg(argColumn)
                      .arg(argument);
            return std::nullopt;
        }
        action.how = *how;
        break;
    }
    default:
        break;
    }
    return action;
}

std::optional<QList<Action>> Action::parseList(const QStringList &texts, QString *error)
{
    QList<Action> out;
    for (qsizetype i = 0; i < texts.size(); ++i) {
        QString reason;
        const auto action = parse(texts.at(i), &reason);
        if (!action) {
            if (error)
                *error = QStringLiteral("action %1 ('%2'): %3").arg(i + 1).arg(texts.at(i), reason);
            return std::nullopt;
        }
        out.append(*action);
    }
    return out;
}

} // namespace finscope

#pragma once

// What a person, a script or a scenario asks an endpoint to do, parsed from the action words that
// the CLI, session files and scenarios share (DESIGN.md §4).

#include "engine/core/event.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace finscope {

// The largest send-pattern and wait a session can record: its file holds numbers exactly up to
// 2^53 (JSON numbers are doubles), byte counts as they are and a wait's end in nanoseconds, so
// anything larger would save a session FinScope could not open again.
constexpr qint64 MaxPatternBytes = qint64(1) << 53;
constexpr qint64 MaxWaitMs = (qint64(1) << 53) / 1'000'000;

struct Action
{
    enum class Kind : quint8 {
        Send,        // data
        SendHex,     // data (decoded)
        SendFile,    // path
        SendPattern, // count
        Shutdown,    // how
        Close,
        Abort,
        Read,
        ReadUntilEof,
        PauseReading,
        ResumeReading,
        Echo,
        EchoUpper,
        Discard,
        Wait, // count = milliseconds
        ExpectEof,
        ExpectRst,
        Dup,      // a second handle to the socket, as a fork child would hold
        CloseDup, // closes that second handle only
    };

    Kind kind = Kind::Close;
    QByteArray data;
    QString path;
    qint64 count = 0;
    ShutdownHow how = ShutdownHow::None;

    // The canonical text form; parse(toString()) gives the same action back.
    QString toString() const;
    bool operator==(const Action &other) const = default;

    // Parses one action such as `send Hello\n`, `send-pattern 4G` or `shutdown wr`.
    // On failure returns nullopt and sets *error to a sentence naming the bad word and its column
    // (1-based), e.g. "unknown action 'sned' at column 1".
    static std::optional<Action> parse(const QString &text, QString *error);
    // Parses each string as one action; the error names the 1-based item that failed.
    static std::optional<QList<Action>> parseList(const QStringList &texts, QString *error);
};

// C escapes \n \r \t \\ \xNN. On failure returns nullopt and sets *error naming the column
// (1-based).
std::optional<QByteArray> unescapeText(QStringView text, QString *error);
// The inverse, for toString() and for printing payloads: printable ASCII kept, others escaped.
QString escapeBytes(QByteArrayView bytes);
// Sizes with optional K/M/G suffix (powers of 1024).
std::optional<qint64> parseSize(QStringView text);

} // namespace finscope

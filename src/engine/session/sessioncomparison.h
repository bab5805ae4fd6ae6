#pragma once

// Compares two sessions connection end by connection end, the way a person checks whether a peer
// still behaves the same: did each end see the same teardown (FIN, EOF, RST, close, abort) in the
// same order, pass through the same settled TCP states, and move the same number of bytes each
// way. Times and chunk boundaries are not compared: they differ on every run.
//
// The TCP states are normalised before comparing, because the kernel's state is sampled (on each
// event and on a timer) and a state that lasts one loopback round trip may or may not be seen:
//  - only CLOSE_WAIT (the peer's FIN arrived while this end was open) and TIME_WAIT (this end
//    closed first; found in the kernel's table at close) are compared. Together they say which end
//    closed first. ESTABLISHED is skipped (a socket accepted after the client already half-closed
//    never shows it), FIN_WAIT1, FIN_WAIT2, LAST_ACK, CLOSING, SYN_* last until the peer's kernel
//    answers, and CLOSE repeats what the rst/close events already say;
//  - after close only the state the close itself looked up in the kernel's table counts (the first
//    state event after the close or abort): later polls depend on how long the process lived on;
//  - repeats are collapsed.
// A reset's errno (ECONNRESET, or EPIPE when it came in CLOSE_WAIT) is shown but not compared: it
// depends on when the reset arrived, not on whether it did.
//
// Who closes first is not always the program's choice: when the two FINs cross (both sent within
// a round trip of each other) either can arrive first, and a replay against an unchanged peer
// flips the order as often as not. When the close order raced in the first session (the
// recording), the differences
// it explains (the CLOSE_WAIT / TIME_WAIT states, and where the EOF falls among the end's own
// teardown calls) are listed as races, not differences, unless Options::strict.
//
// With Options::payload the bytes of each stream are compared too, as far as both sessions kept
// them (the payload cap), and the first differing offset is named with an excerpt of both.

#include "engine/core/event.h"
#include "engine/session/session.h"

#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

namespace finscope {

// What a SessionComparison looks at besides the teardown, the states and the byte counts.
struct SessionComparisonOptions
{
    bool payload = false; // also compare the bytes of each stream, as far as both kept them
    bool strict = false;  // a close order that raced counts as a difference
};

class SessionComparison
{
public:
    // One connection end's behaviour, reduced to what is compared.
    struct Summary
    {
        Side side = Side::Client;
        quint32 conn = 0;
        QStringList teardown;     // "shutdown wr", "eof", "rst (ECONNRESET)", "close", "abort"
        QStringList teardownKeys; // the same without the errno, which is not compared
        QStringList states;       // normalised, see the class comment
        qint64 bytesSent = 0;
        qint64 bytesReceived = 0;
        qint64 finNs = -1;     // this end's FIN went: shutdown wr or rdwr, or a close with
                               // nothing unread; -1 if it never did
        qint64 peerFinNs = -1; // the peer's FIN was known here: CLOSE_WAIT sampled, EOF read,
                               // or CLOSING or TIME_WAIT sampled (also after close)
    };

    struct Difference
    {
        Side side = Side::Client;
        quint32 conn = 0;
        QString text; // "client 1: recording saw eof then close; replay saw rst (ECONNRESET)..."
    };

    using Options = SessionComparisonOptions;

    // Two FINs this close crossed: either could have arrived first. A loopback or LAN round
    // trip, with room for the scheduler. Fixed: sessions record no round-trip time (TCP_INFO's
    // tcpi_rtt is not sampled), so nothing better is known per connection.
    static constexpr qint64 RaceWindowNs = 3'000'000;
    // How many bytes of each side a payload difference shows.
    static constexpr int ExcerptBytes = 16;

    // first and second name the sessions in the differences ("recording", "replay"). With only
    // set, connection ends of the other side are ignored (a client-only replay has no server).
    SessionComparison(const Session &first,
                      const Session &second,
                      const QString &firstName = QStringLiteral("recording"),
                      const QString &secondName = QStringLiteral("replay"),
                      std::optional<Side> only = std::nullopt,
                      Options options = {});

    bool equivalent() const { return m_differences.isEmpty(); }
    const QList<Difference> &differences() const { return m_differences; }
    // What a raced close order explains (see the class comment); empty with Options::strict,
    // where each is a difference instead, saying that the order raced.
    const QList<Difference> &races() const { return m_races; }
    // Every difference on its own line, or "equivalent to the <first>" when there is none; then
    // each race on its own line, "race, not a difference: ...".
    QString report() const;

    // The per-end summaries, ordered by side then connection; the listener (conn 0) is left out.
    static QList<Summary> summarize(const Session &session);

private:
    void compare(const Summary *a, const Summary *b, Side side, quint32 conn);
    void comparePayload(const Session &first, const Session &second, Side side, quint32 conn);

    QString m_firstName;
    QString m_secondName;
    Options m_options;
    // Per end ({side, conn}), why its close order counts as raced: "the two FINs went 0.3 ms
    // apart in the recording"; absent when it did not race.
    QMap<std::pair<quint8, quint32>, QString> m_raced;
    QList<Difference> m_differences;
    QList<Difference> m_races;
};

} // namespace finscope

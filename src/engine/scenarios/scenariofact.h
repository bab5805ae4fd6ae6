#pragma once

// One expected fact of a scenario: a sentence a presenter can read out and a check over what was
// recorded that says whether this kernel behaved that way, and what it did instead.

#include "engine/core/event.h"

#include <QList>
#include <QString>

#include <functional>

namespace finscope {

struct Session;

// What a scenario run left behind for its facts to judge.
struct ScenarioOutcome
{
    const Session *session = nullptr;
    QList<qint64> stepStartNs; // per step, on the session's clock; -1 when it never started
    QList<qint64> stepEndNs;   // -1 when it never finished
    bool timedOut = false;     // the run was ended by its time bound
};

struct FactResult
{
    bool held = false;
    QString observed; // what the recording shows, whether or not the fact held
};

struct ScenarioFact
{
    QString sentence; // "the server reads EOF before the client's reply is sent"
    std::function<FactResult(const ScenarioOutcome &)> check;

    FactResult evaluate(const ScenarioOutcome &outcome) const;
};

// A fact as it was judged after a run.
struct FactVerdict
{
    QString sentence;
    bool held = false;
    QString observed;
};

} // namespace finscope

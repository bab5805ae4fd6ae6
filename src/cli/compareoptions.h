#pragma once

// The --compare and --strict options that replay and diff share: what their comparison looks at,
// read the same way in both.

#include "engine/session/sessioncomparison.h"

#include <QCommandLineOption>

#include <optional>

namespace finscope {

class CommandParser;

class CompareOptions
{
public:
    CompareOptions();

    void addTo(CommandParser &parser) const;
    // After parser.parse(); nullopt and *error for a --compare value it does not know.
    std::optional<SessionComparison::Options> read(const CommandParser &parser,
                                                   QString *error) const;

private:
    QCommandLineOption m_compare;
    QCommandLineOption m_strict;
};

} // namespace finscope

#include "compareoptions.h"

#include "commandparser.h"

namespace finscope {

CompareOptions::CompareOptions()
    : m_compare(QStringLiteral("compare"),
                QStringLiteral("What is compared on each connection end: teardown (the default: "
                               "FIN, EOF, RST, close and abort in order, the TCP states and the "
                               "byte counts each way), or payload (all that, and the bytes of "
                               "each stream as far as both sessions kept them; the first "
                               "difference is named by offset with an excerpt of both)."),
                QStringLiteral("teardown|payload"))
    , m_strict(QStringLiteral("strict"),
               QStringLiteral("A close order that raced (both FINs within %1 ms, so either could "
                              "arrive first) counts as a difference; by default it is reported "
                              "as a race.")
                   .arg(SessionComparison::RaceWindowNs / 1'000'000))
{}

void CompareOptions::addTo(CommandParser &parser) const
{
    parser.addOption(m_compare);
    parser.addOption(m_strict);
}

std::optional<SessionComparison::Options> CompareOptions::read(const CommandParser &parser,
                                                               QString *error) const
{
    SessionComparison::Options options;
    options.strict = parser.isSet(m_strict);
    if (parser.isSet(m_compare)) {
        const QString value = parser.value(m_compare);
        if (value == QLatin1StringView("payload")) {
            options.payload = true;
        } else if (value != QLatin1StringView("teardown")) {
            *error = QStringLiteral("--compare: expected teardown or payload, got '%1'").arg(value);
            return std::nullopt;
        }
    }
    return options;
}

} // namespace finscope

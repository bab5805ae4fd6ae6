#pragma once

// Text from a session file made safe to print: a file someone sent must not be able to drive the
// terminal that shows it (set its title, write the clipboard with OSC 52, move the cursor to
// overwrite or hide lines, reorder text with bidi controls). The text formatter escapes each
// field from the file with it, and finscope-cli passes all it prints through it once more.

#include <QString>
#include <QStringView>

namespace finscope {

class TerminalText
{
public:
    enum Newlines { EscapeNewlines, KeepNewlines };

    // C0 controls, DEL and C1 controls as \xNN (\n, \r, \t as themselves escaped), and the
    // characters that hide or reorder text (U+2028/2029 line and paragraph separators, the bidi
    // embeddings, overrides and isolates U+202A-202E, U+2066-2069, the marks U+200E/200F, U+061C)
    // as \uNNNN. Everything else, other scripts included, is kept. A backslash is kept as it is:
    // action texts carry their own escapes ("send a\nb"), which must read the same.
    static QString escaped(QStringView text, Newlines newlines = EscapeNewlines);
    // Whether `escaped` would leave the text as it is.
    static bool isSafe(QStringView text, Newlines newlines = EscapeNewlines);
    static bool needsEscape(char32_t c);
};

} // namespace finscope

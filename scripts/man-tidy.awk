# Tidy scdoc's roff for mandoc -Tlint; the rendered page stays the same.
# - scdoc 1.11 opens a paragraph (.P) around every block, also where none can start (after a
#   heading, before a heading, twice in a row): drop those; one before .RE moves after it.
# - Filled text lines longer than 80 bytes are split at spaces (roff joins them again).
function out(l) {
	print l
	prev = l
}
function text(l,    cut, i) {
	while (length(l) > 80 && !nofill && !table) {
		cut = 0
		for (i = 80; i > 1; i--)
			if (substr(l, i, 1) == " " && substr(l, i - 1, 1) != "\\" &&
			    substr(l, i + 1, 1) !~ /[.' ]/) {
				cut = i
				break
			}
		if (!cut)
			break
		out(substr(l, 1, cut - 1))
		l = substr(l, cut + 1)
	}
	out(l)
}
/^\.P$/ { pending = 1; next }
/^\.RE/ { out($0); next }
{
	if (pending && $0 !~ /^\.(SH|SS|TS)( |$)/ && prev !~ /^\.(SH|SS|P|PP|RS)( |$)/)
		out(".P")
	pending = 0
	if ($0 ~ /^\.nf/) nofill = 1
	if ($0 ~ /^\.fi/) nofill = 0
	if ($0 ~ /^\.TS/) table = 1
	if ($0 ~ /^\.TE/) table = 0
	if ($0 ~ /^[.']/)
		out($0)
	else
		text($0)
}

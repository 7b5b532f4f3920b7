# Plot of bench/cpu: Janus CPU seconds per call-minute against the number
# of concurrent calls, Duet and VideoCall, median with min..max error bars.
# Usage: gnuplot -e "datafile='cpu.tsv'; outfile='cpu-per-call.png'" plot.gp
# (cpu.tsv is written by cpubench.py; the columns are named in its header.)
if (!exists("datafile")) datafile = "bench/results/cpu.tsv"
if (!exists("outfile")) outfile = "bench/results/cpu-per-call.png"

set datafile separator "\t"

# The rows of each plugin into a datablock of its own (calls, median, min,
# max), so that each plugin's points are joined by one line.
set table $duet
plot datafile using "calls":"cpu_per_call_min":"cpu_per_call_min_lo":"cpu_per_call_min_hi" \
    with table if (strcol("plugin") eq "duet")
set table $videocall
plot datafile using "calls":"cpu_per_call_min":"cpu_per_call_min_lo":"cpu_per_call_min_hi" \
    with table if (strcol("plugin") eq "videocall")
set table $together_duet
plot datafile using "calls":"cpu_per_call_min":"cpu_per_call_min_lo":"cpu_per_call_min_hi" \
    with table if (strcol("plugin") eq "together:duet")
set table $together_videocall
plot datafile using "calls":"cpu_per_call_min":"cpu_per_call_min_lo":"cpu_per_call_min_hi" \
    with table if (strcol("plugin") eq "together:videocall")
unset table
stats datafile using "calls" nooutput
max_calls = STATS_max
set datafile separator whitespace

set terminal pngcairo size 900,560 noenhanced font ",11"
set output outfile
set key bottom left box opaque
set title "Janus CPU per call with real media (VP8 ~500 kbit/s + Opus, both ways), median and min..max"
set xlabel "concurrent calls"
set ylabel "Janus CPU seconds per call-minute"
set logscale x 2
set xrange [0.7:max_calls*1.4]
set yrange [0:*]
set grid ytics

# Alternate batches charge a plugin with all of Janus's CPU; side-by-side
# batches (both plugins at once) with its own handles' threads only, which
# leaves out Janus's shared threads and so lies a little lower. The points
# are nudged apart so that their error bars do not hide each other. Only
# the series that have rows are drawn (a run may have left some modes out).
series(block, shift, style, title) = sprintf("%s using ($1*%s):2:3:4 with yerrorlines %s title \"%s\"", \
    block, shift, style, title)
plots = ""
add(s) = (plots eq "" ? s : plots . ", " . s)
if (|$duet| > 0) plots = add(series("$duet", "0.96", "lw 2 lc rgb '#8e24aa' pt 7", \
    "Duet (alternate batches, whole Janus)"))
if (|$videocall| > 0) plots = add(series("$videocall", "0.99", "lw 2 lc rgb '#00897b' pt 5", \
    "VideoCall (alternate batches, whole Janus)"))
if (|$together_duet| > 0) plots = add(series("$together_duet", "1.01", "lw 1 lc rgb '#8e24aa' pt 6 dt 2", \
    "Duet (side by side, its handle threads)"))
if (|$together_videocall| > 0) plots = add(series("$together_videocall", "1.04", "lw 1 lc rgb '#00897b' pt 4 dt 2", \
    "VideoCall (side by side, its handle threads)"))
eval("plot " . plots)

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
unset table
set datafile separator whitespace

set terminal pngcairo size 900,560 noenhanced font ",11"
set output outfile
set key bottom right box opaque
set title "Janus CPU per call with real media (VP8 ~500 kbit/s + Opus, both ways), median and min..max"
set xlabel "concurrent calls"
set ylabel "Janus CPU seconds per call-minute"
set logscale x 2
set xrange [0.7:*]
set yrange [0:*]
set grid ytics

# The plugins' points are nudged apart a little so that their error bars
# do not hide each other.
plot $duet using ($1*0.97):2:3:4 with yerrorlines lw 2 pt 7 title "Duet", \
     $videocall using ($1*1.03):2:3:4 with yerrorlines lw 2 pt 5 dt 2 title "VideoCall"

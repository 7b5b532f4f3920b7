# plot.gp - the media path micro-benchmark's plot: ns/packet against rooms
# (log x), RTP on the left and RTCP on the right; points are medians, bars
# min..max over the repetitions. Data blocks are written by report.py --dat
# (for each of rtp, rtcp: duet 1 and 2 threads, videocall 1 and 2, floor 1
# and 2).
#
# Usage: gnuplot -e "data='media-plot.dat'; out='media.png'; col=2; what='ns/packet'" plot.gp
#   col=2: wall-clock ns/packet (CLOCK_MONOTONIC); col=5: thread CPU ns/packet.

if (!exists("col")) col = 2
if (!exists("what")) what = "ns/packet"

set terminal pngcairo noenhanced size 1400,600 font "sans,11"
set output out
set logscale x
set xrange [0.7:15000]
set xtics ("1" 1, "10" 10, "100" 100, "1,000" 1000, "10,000" 10000)
set xlabel "rooms (2 handles each)"
set ylabel what
set yrange [0:*]
set grid ytics
set key below

name(i) = (i == 0 ? "Duet, 1 thread" : i == 1 ? "Duet, 2 threads" : i == 2 ? "VideoCall, 1 thread" : \
           i == 3 ? "VideoCall, 2 threads" : i == 4 ? "floor (no plugin), 1 thread" : "floor (no plugin), 2 threads")

set style line 1 lc rgb "#1f77b4" lw 2 pt 7 dt 1
set style line 2 lc rgb "#1f77b4" lw 2 pt 5 dt 2
set style line 3 lc rgb "#d62728" lw 2 pt 7 dt 1
set style line 4 lc rgb "#d62728" lw 2 pt 5 dt 2
set style line 5 lc rgb "#555555" lw 2 pt 7 dt 1
set style line 6 lc rgb "#555555" lw 2 pt 5 dt 2

set multiplot layout 1,2 title "Media path micro-benchmark: per packet through incoming_rtp / incoming_rtcp (median, min..max)"
set title "RTP (3/4 video 1200 B, 1/4 audio 100 B)"
plot for [i=0:5] data index i using 1:col:(column(col+1)):(column(col+2)) with yerrorlines ls (i+1) title name(i)
set title "RTCP (RR+SDES; 1/64 with PLI, 1/64 with REMB)"
plot for [i=0:5] data index (6+i) using 1:col:(column(col+1)):(column(col+2)) with yerrorlines ls (i+1) title name(i)
unset multiplot

# heap.pl - a Perl program holding a few hundred MB, for the programs
# benchmark (bench/programs_bench.c).
#
#   perl heap.pl [N]           N keys (default 1000000: about 300 MB at its peak)
#
# A hash of N keys (the issue's perl died building a 3M-key hash at the
# library's old RAM ceiling), an array of N strings sorted, half the keys
# deleted and others added: small sizes, growth, reuse.  Prints counts and
# a checksum that depend on nothing but N.
use strict;
use warnings;

my $n = shift // 1000000;
my %h;
$h{"k$_"} = "v" x ($_ % 53) for 0 .. $n - 1;
my @w = sort map { my $s = ($_ * 2654435761) % 4294967296; $s x (1 + $_ % 7) } 0 .. $n - 1;
my $sum = 0;
$sum = ($sum * 31 + length $w[$_ * 997]) % 1000003 for 0 .. int(($n - 1) / 997);
delete $h{"k$_"} for grep { $_ % 2 == 0 } 0 .. $n - 1;
$h{"r$_"} = [ ($_) x ($_ % 11) ] for grep { $_ % 4 == 0 } 0 .. $n - 1;
print scalar(keys %h), " ", scalar(@w), " $sum\n";

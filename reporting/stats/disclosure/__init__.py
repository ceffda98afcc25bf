"""Statistical disclosure control: which counts of one annual report may be printed.

With tens to a few hundred reports a year, a count of one or two can point at a
person, and a hidden count can often be worked out again by subtracting printed
numbers: row and column totals, or the same total printed in another table of the
report. So all tables of a report are protected together:

* primary suppression: counts from 1 to k-1 are printed as "<k"; zero is printed;
* secondary suppression: further non-zero counts, printed as "x", are hidden so that
  every sum with a hidden count hides at least two (the usual row/column rule, applied
  across linked tables);
* an exact audit then bounds every hidden count by integer linear reasoning over all
  that is printed: every table, total and link, plus what the marks say. "<k" means 1
  to k-1; and as every small count shows "<k" and zeros are never hidden, "x" means at
  least k. While a hidden count is pinned to one value, the printed number whose hiding
  frees it is hidden too and the audit runs again.

Modules: ``model`` (the tables before and after protection), ``protection`` (primary and
secondary suppression, and what else may be printed), ``audit`` (the exact audit, with HiGHS).
Deterministic: the same tables always give the same result.
"""

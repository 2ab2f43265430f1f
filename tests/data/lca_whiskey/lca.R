suppressPackageStartupMessages(library(flexmix))
data("whiskey", package = "flexmix")
inc <- whiskey$Incidence
d <- data.frame(inc, Freq = whiskey$Freq, check.names = FALSE)
write.csv(d, "whiskey.csv", row.names = FALSE)
cat("n patterns", nrow(d), "n people", sum(d$Freq), "\n")
for (k in 2:3) {
  set.seed(1)
  fits <- lapply(1:20, function(r) flexmix(inc ~ 1, weights = whiskey$Freq, k = k,
                 model = FLXMCmvbinary(), control = list(minprior = 0, iter.max = 5000, tolerance = 1e-10)))
  ll <- sapply(fits, function(f) as.numeric(logLik(f)))
  best <- fits[[which.max(ll)]]
  cat("k", k, "loglik", format(max(ll), digits = 12), "BIC", BIC(best), "df", attr(logLik(best), "df"), "\n")
  pri <- prior(best)
  pars <- parameters(best)
  out <- data.frame(k = k, class = seq_len(k), prior = pri, t(pars), check.names = FALSE)
  write.csv(out, sprintf("whiskey_lca_k%d.csv", k), row.names = FALSE)
  print(round(sort(ll, decreasing=TRUE), 4))
}
cat(as.character(packageVersion("flexmix")), R.version.string, "\n")

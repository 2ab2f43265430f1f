# Reference values for tests/data/ecsi_mobi: relative importance (relaimpo) and OLS (lm)
# of seven attribute ratings on overall satisfaction CUSA1. Run from this folder:
#   Rscript reference.R   (writes reference.json)
library(relaimpo)
library(jsonlite)
d <- read.csv("responses.csv")
attrs <- c("PERQ2", "PERQ3", "PERQ4", "PERQ5", "PERQ6", "PERQ7", "PERV1")
d <- d[complete.cases(d[, c("CUSA1", attrs)]), c("CUSA1", attrs)]
f <- as.formula(paste("CUSA1 ~", paste(attrs, collapse = " + ")))
fit <- lm(f, data = d)
types <- c("lmg", "first", "last", "betasq", "pratt", "car")
ri <- calc.relimp(fit, type = types, rela = FALSE)
ri_rela <- calc.relimp(fit, type = "lmg", rela = TRUE)
num <- function(x) as.list(setNames(as.numeric(x), names(x)))
co <- summary(fit)$coefficients
out <- list(
  data = "responses.csv",
  outcome = "CUSA1",
  attributes = attrs,
  n = nrow(d),
  r_version = R.version.string,
  packages = list(relaimpo = as.character(packageVersion("relaimpo")),
                  jsonlite = as.character(packageVersion("jsonlite"))),
  call_relimp = "calc.relimp(lm(CUSA1 ~ PERQ2 + PERQ3 + PERQ4 + PERQ5 + PERQ6 + PERQ7 + PERV1), type = c(\"lmg\", \"first\", \"last\", \"betasq\", \"pratt\", \"car\"), rela = FALSE)",
  r2 = ri@R2,
  r2_adj = summary(fit)$adj.r.squared,
  lmg = num(ri@lmg),
  lmg_share = num(ri_rela@lmg),
  first = num(ri@first),
  last = num(ri@last),
  betasq = num(ri@betasq),
  pratt = num(ri@pratt),
  car = num(ri@car),
  lm = list(coef = num(co[, "Estimate"]),
            se = num(co[, "Std. Error"]),
            t = num(co[, "t value"]),
            p = num(co[, "Pr(>|t|)"]),
            sigma = summary(fit)$sigma,
            df_residual = fit$df.residual),
  r_code = paste(readLines("reference.R"), collapse = "\n")
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = I(17), pretty = TRUE), "reference.json")

# Warnings for the project's own targets: -Wall -Wextra stay clean.
function(goro_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-unused-parameter)
endfunction()
